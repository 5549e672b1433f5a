# mistake: apt-get install without update in the same file
# source: https://github.com/apple/axlearn/issues/915
# lesson: lesson4
# expect: apt-update
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get install -y gcc libc6-dev
