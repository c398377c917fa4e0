"""Records what the compare and models pages of the web UI tests look at, through the real
clearml SDK: three runs of one script that differ in learning rate (and one in optimizer)
with accuracy and loss curves, and an output model with metadata, labels and weights
uploaded to the file server. Prints one JSON line: task ids by name, the model id, and
the uploaded weights' text.
"""

import json
import os
import sys

from clearml import OutputModel, Task

PROJECT = "Compare Demo"

RUNS = [
    # name, params, accuracy per epoch, train loss per epoch
    ("cnn lr 0.1", {"lr": 0.1, "batch_size": 64, "optimizer": "sgd"}, [0.42, 0.55, 0.61, 0.64], [1.9, 1.4, 1.2, 1.1]),
    ("cnn lr 0.01", {"lr": 0.01, "batch_size": 64, "optimizer": "sgd"}, [0.50, 0.68, 0.77, 0.83], [1.6, 0.9, 0.6, 0.45]),
    ("cnn lr 0.001", {"lr": 0.001, "batch_size": 64, "optimizer": "adam"}, [0.35, 0.49, 0.58, 0.66], [2.1, 1.7, 1.3, 1.0]),
]
WEIGHTS = "cairn compare-models test weights v1\n"

out = {"tasks": {}}
for name, params, accuracy, loss in RUNS:
    task = Task.init(project_name=PROJECT, task_name=name, reuse_last_task_id=False, output_uri=True,
                     auto_connect_frameworks=False, auto_resource_monitoring=False)
    task.connect(dict(params))
    logger = task.get_logger()
    for i, (acc, l) in enumerate(zip(accuracy, loss)):
        logger.report_scalar("accuracy", "val", value=acc, iteration=i)
        logger.report_scalar("loss", "train", value=l, iteration=i)
    logger.flush()
    out["tasks"][name] = task.id
    if name == "cnn lr 0.01":
        path = os.path.join(os.getcwd(), "cnn.pt")
        with open(path, "w") as f:
            f.write(WEIGHTS)
        model = OutputModel(task=task, name="cnn classifier", framework="PyTorch", tags=["candidate"],
                            label_enumeration={"cat": 0, "dog": 1}, config_text="conv(32) -> conv(64) -> dense(2)")
        model.update_weights(weights_filename=path, iteration=3, auto_delete_file=False)
        model.set_metadata("epochs", "4", "int")
        model.set_metadata("dataset", "pets-v2", "str")
        out["model"] = model.id
    task.flush(wait_for_uploads=True)
    task.close()

out["weights"] = WEIGHTS
print(json.dumps(out))
sys.stdout.flush()
