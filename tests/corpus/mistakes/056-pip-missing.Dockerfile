# mistake: no pip install at all: `ModuleNotFoundError: No module named 'flask'`
# source: https://dev.to/ptp2308/dockerfile-best-practices-python-flask-common-mistakes-and-how-to-fix-them-33fp
# lesson: lesson5
# expect: pip-install-present
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
