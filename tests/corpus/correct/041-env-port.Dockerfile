# correct: the port in ENV PORT, which bin/run_dev.sh reads, and EXPOSE $PORT
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
ENV PORT=4000
EXPOSE $PORT
CMD ["./bin/run_dev.sh"]
