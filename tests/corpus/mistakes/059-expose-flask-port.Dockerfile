# mistake: EXPOSE 5000 (Flask's default) while the app listens on 4000
# source: https://github.com/krishnaik06/Dockers/issues/4
# lesson: lesson6
# expect: expose-port
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 5000
