// One note on the board: its handwriting image, text, source badge and time, from one element's props.
//
// A card built from a NiceGUI element per part cost the server five elements and the socket five
// element updates per note. A scan batch adds about 50 cards at once, and building them held up the
// event loop, and with it the phones' notes. Vue escapes the text children, so notes stay plain text.
import { h } from "vue";

export default {
  props: {
    text: String,
    badge: String,
    source: String,
    time: String,
    image: Object,
  },
  render() {
    const parts = [];
    if (this.image) {
      parts.push(
        h("img", {
          class: "fusen-note-image",
          src: this.image.src,
          width: this.image.width,
          height: this.image.height,
          alt: this.image.alt,
          // A board of scanned cards may contain hundreds of images. Decoding off the main thread
          // lets it apply the next note meanwhile.
          loading: "lazy",
          decoding: "async",
        }),
      );
    }
    parts.push(h("div", { class: "fusen-note-text" }, this.text));
    parts.push(h("div", { class: `fusen-badge fusen-badge-${this.source}` }, this.badge));
    parts.push(h("div", { class: "fusen-note-time" }, this.time));
    return h("div", parts);
  },
};
