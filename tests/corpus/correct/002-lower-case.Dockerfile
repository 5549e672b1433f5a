# correct: instructions in lower case
# source: https://github.com/docker/docs/issues/6321
# lesson: lesson7
from python:3.13-slim
workdir /usr/src/app
copy . .
run apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
run pip install --no-cache-dir -r requirements.txt
expose 4000
cmd ["./bin/run_dev.sh"]
