# correct: requirements.txt first for the layer cache, then the rest of the app
# source: https://themissingmanual.dev/guides/dockerize-an-app/2
# source: https://dev.to/ptp2308/dockerfile-best-practices-python-flask-common-mistakes-and-how-to-fix-them-33fp
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
