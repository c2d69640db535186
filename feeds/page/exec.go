package page

import (
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"text/template/parse"
)

// A program runs a template that html/template has parsed and escaped,
// without text/template's general-purpose interpreter.
//
// Why: text/template evaluates every action by reflection and calls each of
// the escaper functions html/template inserted through reflect.Value.Call;
// that costs about a microsecond per printed value, ~11 ms for a page of 100
// sessions, and a full pass renders 1,000 of them. The structure and the
// escaping stay html/template's: New parses the embedded templates with
// html/template and has it escape them (it picks, for every action, the
// escaper chain its context needs); compile turns that escaped tree into
// closures over the view types, resolving each field once; the closures run
// the same escaper chains, re-implemented byte for byte in escape.go and
// compared with html/template's own output by TestProgramMatchesTemplate and
// FuzzProgramMatchesTemplate. Anything compile does not know (another node,
// escaper chain, value kind or a method call) is an error in New, never a
// silent difference.
type program struct {
	run func(st *execState, dot reflect.Value)
}

// execState is one execution: the output and the variables in scope.
type execState struct {
	buf  []byte
	vars []reflect.Value
	base int // index in vars of the current template's $
	err  error
}

func (st *execState) fail(err error) {
	if st.err == nil {
		st.err = err
	}
}

// execute runs p on data (of the type p was compiled for) and appends the
// output to buf.
func (p *program) execute(buf []byte, data any) ([]byte, error) {
	st := &execState{buf: buf, vars: make([]reflect.Value, 1, 8)}
	dot := reflect.ValueOf(data)
	st.vars[0] = dot
	p.run(st, dot)
	return st.buf, st.err
}

type progFunc = func(st *execState, dot reflect.Value)

// compiler compiles one template and those it calls, once per (name, type
// of dot).
type compiler struct {
	set  *template.Template
	done map[progKey]*program
}

type progKey struct {
	name string
	typ  reflect.Type
}

// compileProgram compiles the escaped template named name of set for data
// of type typ. set must have been executed once, so that html/template has
// escaped it.
func compileProgram(set *template.Template, name string, typ reflect.Type) (*program, error) {
	c := &compiler{set: set, done: map[progKey]*program{}}
	return c.template(name, typ)
}

func (c *compiler) template(name string, typ reflect.Type) (*program, error) {
	k := progKey{name, typ}
	if p, ok := c.done[k]; ok {
		return p, nil
	}
	t := c.set.Lookup(name)
	if t == nil || t.Tree == nil {
		return nil, fmt.Errorf("no template %q", name)
	}
	p := &program{}
	c.done[k] = p // before compiling the body: a template may call itself
	run, err := c.list(t.Tree.Root, typ, &scope{names: []string{"$"}, types: []reflect.Type{typ}})
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", name, err)
	}
	p.run = run
	return p, nil
}

// scope lists the variables visible at a point of a template: $ first,
// then those declared by enclosing range actions.
type scope struct {
	names []string
	types []reflect.Type
}

func (s *scope) lookup(name string) (int, reflect.Type, bool) {
	for i := len(s.names) - 1; i >= 0; i-- {
		if s.names[i] == name {
			return i, s.types[i], true
		}
	}
	return 0, nil, false
}

func (s *scope) with(name string, typ reflect.Type) *scope {
	return &scope{names: append(s.names[:len(s.names):len(s.names)], name), types: append(s.types[:len(s.types):len(s.types)], typ)}
}

func (c *compiler) list(l *parse.ListNode, dot reflect.Type, sc *scope) (progFunc, error) {
	if l == nil {
		return func(*execState, reflect.Value) {}, nil
	}
	var fs []progFunc
	for _, n := range l.Nodes {
		f, err := c.node(n, dot, sc)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return func(st *execState, d reflect.Value) {
		for _, f := range fs {
			f(st, d)
		}
	}, nil
}

func (c *compiler) node(n parse.Node, dot reflect.Type, sc *scope) (progFunc, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := string(n.Text)
		return func(st *execState, _ reflect.Value) { st.buf = append(st.buf, text...) }, nil
	case *parse.ActionNode:
		return c.action(n, dot, sc)
	case *parse.IfNode:
		return c.branch(&n.BranchNode, false, dot, sc)
	case *parse.WithNode:
		return c.branch(&n.BranchNode, true, dot, sc)
	case *parse.RangeNode:
		return c.rangeNode(n, dot, sc)
	case *parse.TemplateNode:
		return c.call(n, dot, sc)
	}
	return nil, fmt.Errorf("%s: unsupported node %T", n, n)
}

// action prints a value through the escaper chain html/template chose.
func (c *compiler) action(n *parse.ActionNode, dot reflect.Type, sc *scope) (progFunc, error) {
	if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) < 2 {
		return nil, fmt.Errorf("%s: only value | escapers is supported", n)
	}
	get, typ, err := c.value(n.Pipe.Cmds[0], dot, sc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n, err)
	}
	var chain []string
	for _, cmd := range n.Pipe.Cmds[1:] {
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if len(cmd.Args) != 1 || !ok {
			return nil, fmt.Errorf("%s: only escapers may follow the value", n)
		}
		chain = append(chain, id.Ident)
	}
	esc, err := escaperFor(chain, typ)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n, err)
	}
	return func(st *execState, d reflect.Value) {
		v, ok := get(st, d)
		if ok {
			st.buf = esc(st.buf, v.String())
		}
	}, nil
}

// getter returns a value, or false once it has recorded an error.
type getter func(st *execState, dot reflect.Value) (reflect.Value, bool)

// value compiles a command that yields one value: ., a field chain, or a
// variable with an optional field chain.
func (c *compiler) value(cmd *parse.CommandNode, dot reflect.Type, sc *scope) (getter, reflect.Type, error) {
	if len(cmd.Args) != 1 {
		return nil, nil, fmt.Errorf("%s: a function call is not supported here", cmd)
	}
	return c.arg(cmd.Args[0], dot, sc)
}

func (c *compiler) arg(n parse.Node, dot reflect.Type, sc *scope) (getter, reflect.Type, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return func(_ *execState, d reflect.Value) (reflect.Value, bool) { return d, true }, dot, nil
	case *parse.FieldNode:
		return fieldChain(func(_ *execState, d reflect.Value) (reflect.Value, bool) { return d, true }, dot, n.Ident, n.String())
	case *parse.VariableNode:
		i, typ, ok := sc.lookup(n.Ident[0])
		if !ok {
			return nil, nil, fmt.Errorf("undefined variable %s", n.Ident[0])
		}
		v := func(st *execState, _ reflect.Value) (reflect.Value, bool) { return st.vars[st.base+i], true }
		return fieldChain(v, typ, n.Ident[1:], n.String())
	}
	return nil, nil, fmt.Errorf("%s: unsupported argument %T", n, n)
}

// fieldChain follows struct fields from what from returns, looking each
// up once, here. Pointers are followed as text/template does; a nil one is
// an error when the template runs.
func fieldChain(from getter, typ reflect.Type, idents []string, what string) (getter, reflect.Type, error) {
	g := from
	for _, name := range idents {
		deref := typ.Kind() == reflect.Pointer
		if deref {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return nil, nil, fmt.Errorf("%s: .%s of a %s", what, name, typ)
		}
		f, ok := typ.FieldByName(name)
		if !ok || !f.IsExported() || len(f.Index) != 1 {
			return nil, nil, fmt.Errorf("%s: %s has no plain exported field %s", what, typ, name)
		}
		prev, i := g, f.Index[0]
		g = func(st *execState, d reflect.Value) (reflect.Value, bool) {
			v, ok := prev(st, d)
			if !ok {
				return v, false
			}
			if deref {
				if v.IsNil() {
					st.fail(fmt.Errorf("%s: nil pointer evaluating .%s", what, name))
					return v, false
				}
				v = v.Elem()
			}
			return v.Field(i), true
		}
		typ = f.Type
	}
	return g, typ, nil
}

// truth is text/template's notion of a true value, for the kinds the views
// use.
func truthFunc(typ reflect.Type) (func(reflect.Value) bool, error) {
	switch typ.Kind() {
	case reflect.Bool:
		return reflect.Value.Bool, nil
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return func(v reflect.Value) bool { return v.Len() > 0 }, nil
	case reflect.Pointer, reflect.Interface:
		return func(v reflect.Value) bool { return !v.IsNil() }, nil
	case reflect.Struct:
		return func(reflect.Value) bool { return true }, nil
	}
	return nil, fmt.Errorf("no truth value for %s", typ)
}

// condition compiles the pipeline of an if or with: a value, or and/or/not
// of values.
func (c *compiler) condition(p *parse.PipeNode, dot reflect.Type, sc *scope) (func(st *execState, d reflect.Value) bool, getter, reflect.Type, error) {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return nil, nil, nil, fmt.Errorf("%s: only a value or and/or/not of values is supported", p)
	}
	cmd := p.Cmds[0]
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		var tests []func(*execState, reflect.Value) bool
		for _, a := range cmd.Args[1:] {
			g, typ, err := c.arg(a, dot, sc)
			if err != nil {
				return nil, nil, nil, err
			}
			truth, err := truthFunc(typ)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s: %w", a, err)
			}
			tests = append(tests, func(st *execState, d reflect.Value) bool {
				v, ok := g(st, d)
				return ok && truth(v)
			})
		}
		switch {
		case id.Ident == "not" && len(tests) == 1:
			return func(st *execState, d reflect.Value) bool { return !tests[0](st, d) }, nil, nil, nil
		case id.Ident == "and" && len(tests) > 0:
			return func(st *execState, d reflect.Value) bool {
				for _, t := range tests {
					if !t(st, d) {
						return false
					}
				}
				return true
			}, nil, nil, nil
		case id.Ident == "or" && len(tests) > 0:
			return func(st *execState, d reflect.Value) bool {
				for _, t := range tests {
					if t(st, d) {
						return true
					}
				}
				return false
			}, nil, nil, nil
		}
		return nil, nil, nil, fmt.Errorf("%s: unsupported function %s", p, id.Ident)
	}
	g, typ, err := c.value(cmd, dot, sc)
	if err != nil {
		return nil, nil, nil, err
	}
	truth, err := truthFunc(typ)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	return func(st *execState, d reflect.Value) bool {
		v, ok := g(st, d)
		return ok && truth(v)
	}, g, typ, nil
}

func (c *compiler) branch(n *parse.BranchNode, with bool, dot reflect.Type, sc *scope) (progFunc, error) {
	cond, get, typ, err := c.condition(n.Pipe, dot, sc)
	if err != nil {
		return nil, err
	}
	bodyDot := dot
	if with {
		if get == nil {
			return nil, fmt.Errorf("%s: with needs a value", n)
		}
		bodyDot = typ
	}
	body, err := c.list(n.List, bodyDot, sc)
	if err != nil {
		return nil, err
	}
	orElse, err := c.list(n.ElseList, dot, sc)
	if err != nil {
		return nil, err
	}
	if !with {
		return func(st *execState, d reflect.Value) {
			if cond(st, d) {
				body(st, d)
			} else {
				orElse(st, d)
			}
		}, nil
	}
	return func(st *execState, d reflect.Value) {
		if cond(st, d) {
			v, _ := get(st, d)
			body(st, v)
		} else {
			orElse(st, d)
		}
	}, nil
}

func (c *compiler) rangeNode(n *parse.RangeNode, dot reflect.Type, sc *scope) (progFunc, error) {
	p := n.Pipe
	if len(p.Cmds) != 1 || len(p.Decl) > 1 {
		return nil, fmt.Errorf("%s: only range over a value, with at most one variable, is supported", n)
	}
	get, typ, err := c.value(p.Cmds[0], dot, sc)
	if err != nil {
		return nil, err
	}
	if typ.Kind() != reflect.Slice {
		return nil, fmt.Errorf("%s: range over %s", n, typ)
	}
	elem := typ.Elem()
	bodyScope, declared := sc, len(p.Decl) == 1
	if declared {
		bodyScope = sc.with(p.Decl[0].Ident[0], elem)
	}
	body, err := c.list(n.List, elem, bodyScope)
	if err != nil {
		return nil, err
	}
	orElse, err := c.list(n.ElseList, dot, sc)
	if err != nil {
		return nil, err
	}
	slot := len(sc.names) // where the declared variable lives
	return func(st *execState, d reflect.Value) {
		v, ok := get(st, d)
		if !ok {
			return
		}
		if v.Len() == 0 {
			orElse(st, d)
			return
		}
		for i := range v.Len() {
			e := v.Index(i)
			if declared {
				st.vars = append(st.vars[:st.base+slot], e)
			}
			body(st, e)
		}
		if declared {
			st.vars = st.vars[:st.base+slot]
		}
	}, nil
}

func (c *compiler) call(n *parse.TemplateNode, dot reflect.Type, sc *scope) (progFunc, error) {
	if n.Pipe == nil {
		return nil, fmt.Errorf("%s: a template call needs an argument", n)
	}
	get, typ, err := c.value(n.Pipe.Cmds[0], dot, sc)
	if err != nil || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Decl) > 0 {
		return nil, errors.Join(fmt.Errorf("%s: only a value may be passed to a template", n), err)
	}
	callee, err := c.template(n.Name, typ)
	if err != nil {
		return nil, err
	}
	return func(st *execState, d reflect.Value) {
		v, ok := get(st, d)
		if !ok {
			return
		}
		saved, top := st.base, len(st.vars)
		st.base = top
		st.vars = append(st.vars, v)
		callee.run(st, v)
		st.base, st.vars = saved, st.vars[:top]
	}, nil
}
