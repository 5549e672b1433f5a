# correct: requirements.txt copied and installed before the code, so a code change keeps pip's layer
FROM python:3.13-slim
WORKDIR /usr/src/app
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
