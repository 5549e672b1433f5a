# correct: COPY to the WORKDIR written out
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
