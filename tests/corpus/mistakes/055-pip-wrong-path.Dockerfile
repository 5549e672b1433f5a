# mistake: the requirements file named by a path that is not where COPY put it
# source: https://github.com/prakhar1989/docker-curriculum/issues/271
# source: https://github.com/tonywangcn/docker-cluster-with-celery-and-rabbitmq/issues/1
# lesson: lesson5
# expect: requirements-before-pip
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r app/requirements.txt
