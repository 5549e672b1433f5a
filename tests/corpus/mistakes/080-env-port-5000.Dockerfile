# mistake: ENV PORT=5000 while EXPOSE and the course use 4000
# source: https://github.com/docker/for-win/issues/6839
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
ENV PORT=5000
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
