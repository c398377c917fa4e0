"""A pipeline run with the clearml SDK's PipelineController, steps run locally: `prepare`
feeds `train`, which fails; `report` depends on `train` and is skipped; `side` is
independent and completes. With `slow` as the first argument, a second pipeline whose
one step sleeps `SLOW_SEC` seconds, for watching a run live. Prints the SDK's output
(its "ClearML pipeline page" link) and, last, one JSON line with the controller id.
"""

import json
import os
import sys

from clearml import PipelineController


def prepare(n=3):
    return list(range(int(n)))


def train(values):
    raise RuntimeError("training diverged")


def report(model):
    return model


def side(x=1):
    return int(x) * 2


def slow(seconds=5):
    import time
    time.sleep(float(seconds))
    return float(seconds)


if sys.argv[1:] == ["slow"]:
    pipe = PipelineController(name="slow pipe", project="Web Pipelines", version="1.0.0", pool_frequency=0.05)
    pipe.add_function_step(name="wait", function=slow, function_kwargs=dict(seconds=os.environ.get("SLOW_SEC", "20")), function_return=["s"])
    pipe.add_function_step(name="after_wait", function=side, function_kwargs=dict(x="${wait.s}"), function_return=["r"], parents=["wait"])
else:
    pipe = PipelineController(name="train pipe", project="Web Pipelines", version="1.0.0", pool_frequency=0.05)
    pipe.add_parameter("n", 3)
    pipe.add_function_step(name="prepare", function=prepare, function_kwargs=dict(n="${pipeline.n}"), function_return=["values"])
    pipe.add_function_step(name="train", function=train, function_kwargs=dict(values="${prepare.values}"), function_return=["model"], parents=["prepare"])
    pipe.add_function_step(name="report", function=report, function_kwargs=dict(model="${train.model}"), function_return=["r"], parents=["train"])
    pipe.add_function_step(name="side", function=side, function_kwargs=dict(x=21), function_return=["r"])
pipe.start_locally(run_pipeline_steps_locally=True)
print(json.dumps({"controller": pipe.id}))
