# correct: a CRLF bin/run_dev.sh from a Windows checkout, repaired in the image with sed as the thread advises
# source: https://github.com/jwasham/computer-science-flash-cards/issues/30
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
RUN sed -i 's/\r$//' bin/run_dev.sh
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
