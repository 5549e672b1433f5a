# mistake: apt-get install before any apt-get update: `Unable to locate package`
# source: https://github.com/kamon-io/docker-grafana-graphite/issues/72
# lesson: lesson4
# expect: apt-update
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get -y install gcc
