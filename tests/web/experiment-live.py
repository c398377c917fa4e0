"""A training run that keeps reporting for about 20 seconds, for watching an experiment
live: one scalar and one console line every half second, flushed each time. Aborted
from the web UI, the SDK itself notices and ends the process early."""

import math
import time

from clearml import Task

task = Task.init(project_name="Experiment Page", task_name="live run", reuse_last_task_id=False,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
logger = task.get_logger()
for i in range(40):
    logger.report_scalar("loss", "train", value=math.exp(-i / 10), iteration=i)
    print(f"live step {i}")
    logger.flush()
    time.sleep(0.5)
