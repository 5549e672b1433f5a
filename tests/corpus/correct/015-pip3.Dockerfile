# correct: pip3 and ./requirements.txt
# source: https://github.com/docker/docs/issues/13576
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir -r ./requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
