"""The seed 002 API: FastAPI behind API Gateway, served by an ASGI adapter
that comes from a Lambda layer (python/mangum.py)."""
from datetime import datetime, timezone
from typing import List
from uuid import uuid4

from mangum import Mangum
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="multicloud-auto-deploy API", version="3.0.0")

MESSAGES = []


class MessageIn(BaseModel):
    content: str
    author: str


class Message(MessageIn):
    id: str
    created_at: str


@app.get("/")
def health():
    return {"status": "ok", "provider": "aws", "version": "3.0.0"}


@app.get("/api/messages/", response_model=List[Message])
def list_messages():
    return MESSAGES


@app.post("/api/messages/", response_model=Message, status_code=201)
def create_message(msg: MessageIn):
    m = Message(id=str(uuid4()), created_at=datetime.now(timezone.utc).isoformat(), **msg.dict())
    MESSAGES.append(m)
    return m


handler = Mangum(app, lifespan="off")
