# correct: build-essential instead of gcc and libc6-dev
# source: https://github.com/bcgov/startup-sample-project-aws-containers/pull/69
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
