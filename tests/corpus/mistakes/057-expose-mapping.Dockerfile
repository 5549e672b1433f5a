# mistake: EXPOSE host:container as in docker run -p
# source: https://github.com/krishnaik06/Dockers/issues/4
# source: http://wharflab.github.io/tally/rules/buildkit/ExposeInvalidFormat
# lesson: lesson6
# expect: expose-syntax
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000:4000
