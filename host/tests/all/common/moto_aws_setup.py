"""Sets up a moto server started with INITIAL_NO_AUTH_ACTION_COUNT for the AWS-grant tests.

Usage: moto_aws_setup.py ENDPOINT

Creates, while moto still lets calls through unauthenticated:
- an IAM user `worker` (the worker's own credentials) allowed only to assume roles;
- a role `plugin` that may use S3, DynamoDB and SQS;
- the bucket `swfwasm-tests`, the table `bookings` (hash key `id`, a string) and the queue
  `swfwasm-tests`.
Then spends the free calls that are left, so that from here on moto checks every signature and
policy, and prints `{"access_key_id", "secret_access_key", "role_arn", "queue_url"}` as JSON.
"""

import json
import sys

import boto3
import botocore.exceptions

endpoint = sys.argv[1]
setup = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDSETUP",
    aws_secret_access_key="setup",
)
iam = boto3.client("iam", **setup)
iam.create_user(UserName="worker")
key = iam.create_access_key(UserName="worker")["AccessKey"]
assume_only = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}
iam.put_user_policy(
    UserName="worker", PolicyName="assume-only", PolicyDocument=json.dumps(assume_only)
)
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    ],
}
role = iam.create_role(RoleName="plugin", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
data = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*"], "Resource": "*"}
    ],
}
iam.put_role_policy(RoleName="plugin", PolicyName="data", PolicyDocument=json.dumps(data))
boto3.client("s3", **setup).create_bucket(Bucket="swfwasm-tests")
boto3.client("dynamodb", **setup).create_table(
    TableName="bookings",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
queue_url = boto3.client("sqs", **setup).create_queue(QueueName="swfwasm-tests")["QueueUrl"]

# Spend what is left of the free calls: from the first refusal on, moto checks everything.
s3 = boto3.client("s3", **setup)
for _ in range(100):
    try:
        s3.list_buckets()
    except botocore.exceptions.ClientError:
        break
else:
    sys.exit("moto never started checking signatures")

print(
    json.dumps(
        {
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
            "role_arn": role["Arn"],
            "queue_url": queue_url,
        }
    )
)
