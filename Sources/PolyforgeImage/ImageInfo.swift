/// Placeholder; image decoding lands with the image helper.
public enum ImageCodec {}
