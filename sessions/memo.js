// A div whose children are rendered again only when its version, class or style changes.
//
// NiceGUI renders all native elements of a page from one recursive render function, so a change
// to a board would otherwise make the browser build and compare the virtual DOM of every card.
// The server bumps `version` on every update of the element (sessions/memo.py, Memo.update),
// and Vue's withMemo, which v-memo compiles to, reuses the last vnode until then.
import { h, withMemo } from "vue";

export default {
  props: {
    version: Number,
  },
  inheritAttrs: false,
  setup(props, { attrs, slots }) {
    const cache = [];
    return () =>
      withMemo(
        [props.version, attrs.class, attrs.style],
        () => h("div", { id: attrs.id, class: attrs.class, style: attrs.style }, slots.default?.()),
        cache,
        0,
      );
  },
};
