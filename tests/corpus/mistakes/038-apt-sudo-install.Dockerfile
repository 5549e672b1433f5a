# mistake: sudo before apt-get install only
# source: https://github.com/Autodesk/genetic-constructor/pull/1076
# lesson: lesson4
# expect: apt-no-sudo
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && sudo apt-get install -y gcc
