# mistake: `E: Unable to locate package build-essential`: no apt-get update
# source: https://github.com/FinnBehrendt/node21-submit/pull/1
# lesson: lesson4
# expect: apt-update
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get install build-essential -y
