"""A real S3 API for the tests: moto's server on a free loopback port.

Prints one JSON line once the server is ready, then serves until its standard input
closes (the test that started it exited) or it gets SIGTERM:
  {"endpoint": "http://127.0.0.1:PORT", "host": "127.0.0.1:PORT",
   "key": ..., "secret": ..., "buckets": ["clearml", "datasets", "models"]}

Set up as the seed's operator sets up MinIO: an access key for the platform and the
buckets clearml, datasets and models. Then credentials are enforced (moto's IAM
authentication), so a wrong key or secret is refused as MinIO refuses it.

What moto does not check, so these tests do not cover it: MinIO's own behaviour
(its bucket policies, erasure coding, its multipart part-size rules and console
API); moto keeps the objects in this process's memory and temporary files.
"""

import json
import logging
import os
import sys

os.environ.setdefault("INITIAL_NO_AUTH_ACTION_COUNT", "inf")

import boto3  # noqa: E402
import requests  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

BUCKETS = ["clearml", "datasets", "models"]
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def main() -> None:
    # one line per request on stderr would drown the tests' output
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # port 0: the server's own listen picks the port, so nothing can take it first
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    endpoint = f"http://127.0.0.1:{port}"
    setup = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = boto3.client("iam", **setup)
    iam.create_user(UserName="cairn")
    iam.put_user_policy(UserName="cairn", PolicyName="all", PolicyDocument=POLICY)
    key = iam.create_access_key(UserName="cairn")["AccessKey"]
    s3 = boto3.client("s3", **setup)
    for bucket in BUCKETS:
        s3.create_bucket(Bucket=bucket)
    # from here on every request must be signed with the key made above
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0").raise_for_status()
    print(json.dumps({
        "endpoint": endpoint,
        "host": f"127.0.0.1:{port}",
        "key": key["AccessKeyId"],
        "secret": key["SecretAccessKey"],
        "buckets": BUCKETS,
    }), flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
