# mistake: apt (no stable CLI) instead of apt-get
# source: https://github.com/elastic/connectors/pull/2955
# source: https://github.com/moul/docker-icecast/issues/12
# lesson: lesson4
# expect: apt-get-not-apt
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt update && apt install -y gcc
