# mistake: ENV HOST=localhost, the safe default outside a container
# source: https://github.com/navapbc/template-application-flask/pull/71
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
ENV HOST=localhost
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
