# mistake: Flask's development server as the container's command
# source: https://github.com/archivy/archivy/pull/8
# lesson: lesson7
# expect: app-production-server
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["flask", "--app", "together.app", "run", "--host=0.0.0.0", "--port=4000"]
