# mistake: COPY requirements.txt after the pip line
# source: https://dev.to/ptp2308/dockerfile-best-practices-python-flask-common-mistakes-and-how-to-fix-them-33fp
# source: https://github.com/prakhar1989/docker-curriculum/issues/251
# lesson: lesson5
# expect: requirements-before-pip
FROM python:3.13-slim
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
COPY requirements.txt .
COPY . .
