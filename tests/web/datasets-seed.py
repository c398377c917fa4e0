"""Two versions of one dataset made with the clearml SDK's Dataset API: `images` 1.0.0
(three files) and its child 1.0.1 (c.txt removed, a.txt changed, d.txt and a CSV added,
the CSV previewed as a table on upload) with a DataFrame as metadata. Prints the SDK's own output (its "ClearML dataset page" links)
and, last, one JSON line with the ids and the files of each version.
"""

import json
import sys
import tempfile
from pathlib import Path

import pandas as pd
from clearml import Dataset

V1 = {"a.txt": "alpha\n", "sub/b.txt": "bravo " * 300, "c.txt": "gamma\n"}
V2 = {"a.txt": "alpha, changed\n", "sub/b.txt": V1["sub/b.txt"], "d.txt": "delta\n", "scores.csv": "name,score\nada,0.9\nbob,0.7\n"}


def folder(files):
    root = Path(tempfile.mkdtemp())
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return str(root)


parent = Dataset.create(dataset_project="Web Datasets", dataset_name="images", description="first cut")
parent.add_files(folder(V1))
parent.upload()
parent.finalize()

child = Dataset.create(dataset_project="Web Datasets", dataset_name="images", parent_datasets=[parent.id])
child.remove_files("c.txt")
child.add_files(folder(V2))
child.set_metadata(pd.DataFrame({"split": ["train", "test"], "rows": [40, 10]}), metadata_name="summary")
child.upload()
child.finalize()
sys.stdout.flush()
print(json.dumps({"parent": parent.id, "child": child.id, "v1": V1, "v2": V2}))
