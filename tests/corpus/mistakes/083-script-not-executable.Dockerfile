# mistake: bin/run_dev.sh lost its executable bit (downloaded or copied without git): exec ... permission denied
# source: https://github.com/aciobanu/docker-scrapy/issues/2
# source: https://github.com/eNMS-automation/eNMS/pull/94
# lesson: lesson7
# expect: cmd-program-executable
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
