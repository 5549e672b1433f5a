# mistake: apt-get install without -y: `Do you want to continue? [Y/n] Abort.`
# source: https://github.com/yarnpkg/yarn/issues/4786
# lesson: lesson4
# expect: apt-yes
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install gcc
