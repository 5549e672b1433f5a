# mistake: an IP address in EXPOSE
# source: https://contextqmd.com/libraries/buildkit/versions/0.29.0/pages/frontend/dockerfile/linter/docs/ExposeInvalidFormat
# lesson: lesson6
# expect: expose-syntax
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 127.0.0.1:4000
