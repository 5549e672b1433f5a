# correct: one stage, pip's --user install, with its bin/ folder on PATH
# source: https://pythonspeed.com/articles/multi-stage-docker-python/
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir --user -r requirements.txt
ENV PATH=/root/.local/bin:$PATH
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
