# mistake: no CMD: the container runs the base image's python3 REPL and exits
# source: https://github.com/docker-library/python/issues/723
# source: https://github.com/tiangolo/uwsgi-nginx-flask-docker/issues/57
# lesson: lesson7
# expect: cmd-present
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
