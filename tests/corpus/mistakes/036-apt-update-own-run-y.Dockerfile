# mistake: apt-get -y update and install in separate RUNs
# source: https://granicus.if.org/sourcecode?a=commit&h=167dc46f5c003f913d37428f8567e99008edd004&p=graphviz
# lesson: lesson4
# expect: apt-update-same-run
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get -y update
RUN apt-get -y install gcc
