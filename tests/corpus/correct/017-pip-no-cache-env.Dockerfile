# correct: pip's cache turned off by PIP_NO_CACHE_DIR
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1
RUN pip install -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
