# mistake: WORKDIR says one folder, COPY puts the app into another
# source: https://github.com/docker/docs/pull/9058
# source: https://github.com/docker/docs/issues/8851
# lesson: lesson3
# expect: copy-into-workdir
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . /app
