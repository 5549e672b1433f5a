# correct: a bin/run_dev.sh without its executable bit, made executable in the image
# source: https://github.com/dullage/flatnotes/pull/67
# source: https://github.com/eNMS-automation/eNMS/pull/94
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
RUN chmod +x bin/run_dev.sh
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
