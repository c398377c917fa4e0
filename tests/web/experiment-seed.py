"""Records one finished experiment with every kind of content the experiment page shows,
through the real clearml SDK: parameters, a configuration object, two scalar metrics over
100 iterations, a resource-monitor series, a single value, a scatter plot, a table, a
histogram, debug images, an artifact, an output model and console lines. Prints one JSON
line with the task id and what the page should show.
"""

import json
import math
import os
import sys

import numpy as np
import pandas as pd
from clearml import OutputModel, Task

task = Task.init(project_name="Experiment Page", task_name="page walkthrough", reuse_last_task_id=False,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
params = task.connect({"lr": 0.05, "batch_size": 16, "optimizer": "adam"})
config = task.connect_configuration({"layers": [64, 32], "dropout": 0.25}, name="model config")
logger = task.get_logger()

for i in range(100):
    logger.report_scalar("loss", "train", value=2.0 * math.exp(-i / 30), iteration=i)
    logger.report_scalar("loss", "validation", value=2.2 * math.exp(-i / 35) + 0.05, iteration=i)
    logger.report_scalar("accuracy", "val", value=1 - math.exp(-i / 25), iteration=i)
    if i % 25 == 0:
        print(f"epoch {i} done, loss {2.0 * math.exp(-i / 30):.4f}")
        # Under the resource monitor's metric name, as auto_resource_monitoring reports it.
        logger.report_scalar(":monitor:machine", "cpu_usage", value=40 + i / 10, iteration=i)
logger.report_single_value("best accuracy", 0.95)

logger.report_scatter2d("embedding", "clusters", scatter=[[0, 0], [1, 2], [2, 1], [3, 3]], iteration=99,
                        xaxis="x", yaxis="y", mode="markers")
logger.report_table("results", "summary", iteration=99,
                    table_plot=pd.DataFrame({"model": ["small", "large"], "accuracy": [0.91, 0.95]}))
logger.report_histogram("weights", "layer1", values=[3, 7, 12, 5], iteration=99, xaxis="bin", yaxis="count")

for it in (10, 50, 90):
    image = np.zeros((48, 64, 3), dtype=np.uint8)
    image[:, : it * 64 // 100] = (40, 120, 220)
    logger.report_image("samples", "input", iteration=it, image=image)

task.upload_artifact("metrics summary", artifact_object={"best_accuracy": 0.95, "epochs": 100}, wait_on_upload=True)

weights = os.path.join(os.getcwd(), "weights.bin")
with open(weights, "wb") as f:
    f.write(b"cairn-weights-0123456789")
OutputModel(task=task, name="demo model", framework="PyTorch").update_weights(weights_filename=weights, iteration=99)

print("training finished: best accuracy 0.95")
logger.flush()
task.flush(wait_for_uploads=True)
ids = {"task": task.id, "lr": params["lr"], "dropout": config["dropout"]}
task.close()
print(json.dumps(ids))
sys.stdout.flush()
