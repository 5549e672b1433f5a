# mistake: CMD in shell form: sh is PID 1 and docker stop's SIGTERM never reaches uWSGI
# source: https://github.com/moby/moby/issues/12315
# source: https://github.com/ethereum/hive/issues/877
# lesson: lesson7
# expect: cmd-exec-form
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ./bin/run_dev.sh
