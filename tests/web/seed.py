"""Creates the experiments the web UI tests look at, through the real clearml SDK.

Each run is one Task.init ... close, as a training script would do it. Prints one JSON
line: {task name: task id}.
"""

import json
import sys

from clearml import Task

PROJECT = "Web UI Demo"

RUNS = [
    # project, name, params, accuracy per epoch, loss per epoch, tags, outcome
    (PROJECT, "resnet baseline", {"lr": 0.1, "batch_size": 32, "optimizer": "sgd"}, [0.52, 0.70, 0.81], [1.2, 0.8, 0.55], ["baseline"], "completed"),
    (PROJECT, "resnet lr 0.01", {"lr": 0.01, "batch_size": 64, "optimizer": "adam"}, [0.61, 0.79, 0.87], [1.0, 0.6, 0.41], ["best"], "completed"),
    (PROJECT, "diverged run", {"lr": 1.0, "batch_size": 32, "optimizer": "sgd"}, [0.11, 0.09], [9.5, 12.25], [], "failed"),
    (PROJECT + "/Ablations", "no augmentation", {"lr": 0.01, "batch_size": 64, "optimizer": "adam"}, [0.58, 0.74], [1.1, 0.7], [], "completed"),
]

ids = {}
for project, name, params, accuracy, loss, tags, outcome in RUNS:
    task = Task.init(project_name=project, task_name=name, reuse_last_task_id=False, auto_connect_frameworks=False, auto_resource_monitoring=False)
    task.connect(dict(params))
    if tags:
        task.add_tags(tags)
    logger = task.get_logger()
    for i, (acc, l) in enumerate(zip(accuracy, loss)):
        logger.report_scalar("accuracy", "val", value=acc, iteration=i)
        logger.report_scalar("loss", "train", value=l, iteration=i)
        print(f"epoch {i} accuracy {acc} loss {l}")
    logger.flush()
    ids[name] = task.id
    if outcome == "failed":
        task.mark_failed(status_reason="loss diverged", force=True)
    task.close()

print(json.dumps(ids))
sys.stdout.flush()
