# mistake: started the server with RUN (during the build) and no CMD
# source: https://github.com/eelzon/morgenbot/pull/21
# lesson: lesson7
# expect: server-not-in-run
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
RUN ./bin/run_dev.sh
