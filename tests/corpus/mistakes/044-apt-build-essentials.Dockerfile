# mistake: build-essentials (a typo of build-essential)
# source: https://github.com/bcgov/startup-sample-project-aws-containers/pull/69
# lesson: lesson4
# expect: apt-package-name
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y build-essentials
