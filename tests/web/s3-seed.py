"""Records one experiment whose files the clearml SDK put straight into S3: its clearml.conf
(written by the test) holds the sdk.aws.s3 credentials and development.default_output_uri.
Debug images (two variants, one of which the test deletes from the bucket), a file
artifact, a dict artifact, a second file artifact (also deleted) and an output model.
Prints one JSON line with the task id and the output URI.
"""

import json
import os
import sys

import numpy as np
from clearml import OutputModel, Task

task = Task.init(project_name="S3 Objects", task_name="s3 walkthrough", reuse_last_task_id=False,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
logger = task.get_logger()
# Debug samples go to the file server unless the logger is told otherwise.
logger.set_default_upload_destination(task.output_uri)

picture = np.zeros((40, 56, 3), dtype=np.uint8)
picture[:, :28] = (220, 60, 40)
picture[:, 28:] = (40, 120, 220)
logger.report_image("s3 samples", "picture", iteration=1, image=picture)
logger.report_image("s3 samples", "gone", iteration=1, image=np.full((20, 20, 3), 200, dtype=np.uint8))

with open("notes.txt", "w") as f:
    f.write("stored in S3 by the clearml SDK\n" * 20)
task.upload_artifact("notes", artifact_object=os.path.abspath("notes.txt"), wait_on_upload=True)
task.upload_artifact("settings", artifact_object={"lr": 0.1, "where": "s3"}, wait_on_upload=True)
with open("lost.txt", "w") as f:
    f.write("this object is deleted from the bucket by the test\n")
task.upload_artifact("lost", artifact_object=os.path.abspath("lost.txt"), wait_on_upload=True)

weights = os.path.abspath("weights.bin")
with open(weights, "wb") as f:
    f.write(bytes(range(256)) * 8)
OutputModel(task=task, name="s3 model", framework="PyTorch").update_weights(weights_filename=weights, iteration=1)

logger.flush()
task.flush(wait_for_uploads=True)
ids = {"task": task.id, "output_uri": task.output_uri}
task.close()
print(json.dumps(ids))
sys.stdout.flush()
