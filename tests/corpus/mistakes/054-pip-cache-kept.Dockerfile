# mistake: pip install -r requirements.txt keeping pip's cache in the image
# source: https://github.com/pypa/pipenv/issues/2969
# lesson: lesson5
# expect: pip-no-cache
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install -r requirements.txt
