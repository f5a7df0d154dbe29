package insights

// arrayOf reads a value as a list: a list, or text holding a JSON array.
func arrayOf(v value) (value, bool) {
	if v.kind == kList {
		return v, true
	}
	if v.kind != kString {
		return null, false
	}
	d, ok := decodeJSON(v.str)
	return d, ok && d.kind == kList
}

func defineJSONFuncs() {
	def("jsonparse", 1, 1, func(_ *ectx, a []value) value {
		switch a[0].kind {
		case kMap, kList:
			return a[0]
		case kString:
			d, ok := decodeJSON(a[0].str)
			if ok && (d.kind == kMap || d.kind == kList) {
				return d
			}
		}
		return null
	})
	def("jsonstringify", 1, 1, func(_ *ectx, a []value) value {
		if a[0].kind != kMap && a[0].kind != kList {
			return null
		}
		return strVal(string(appendJSON(nil, a[0])))
	})
	def("jsonarraysize", 1, 1, func(_ *ectx, a []value) value {
		l, ok := arrayOf(a[0])
		if !ok {
			return null
		}
		return numVal(float64(len(l.st.items)))
	})
	def("jsonarraycontains", 2, 2, func(_ *ectx, a []value) value {
		l, ok := arrayOf(a[0])
		want, ok2 := a[1].text()
		if !ok || !ok2 {
			return boolVal(false)
		}
		for _, it := range l.st.items {
			if s, ok := it.text(); ok && s == want {
				return boolVal(true)
			}
		}
		return boolVal(false)
	})
}
