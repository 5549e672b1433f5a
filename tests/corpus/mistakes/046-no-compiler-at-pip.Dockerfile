# mistake: no apt-get line at all; pip then fails to build uWSGI on slim
# source: https://github.com/docker-library/python/issues/568
# source: https://github.com/tiangolo/uvicorn-gunicorn-docker/pull/111
# lesson: lesson5
# expect: gcc-before-pip
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
