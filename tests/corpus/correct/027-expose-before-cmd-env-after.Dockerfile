# correct: EXPOSE earlier and an ENV between pip and CMD
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
EXPOSE 4000
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
ENV FLASK_DEBUG=0
CMD ["./bin/run_dev.sh"]
