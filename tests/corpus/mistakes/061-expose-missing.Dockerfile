# mistake: no EXPOSE line
# source: https://rayanslim.com/course/docker-course/containerizing-web-application-flask
# lesson: lesson6
# expect: expose-present
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
