import torch

from restora.models import create_model, load_model, save_model


def test_embeddings_are_unit_vectors_and_round_trip(tmp_path):
    net = create_model("face_embed.small", widths=[8, 16, 16], dim=16).eval()
    x = torch.rand(3, 1, 64, 64, generator=torch.Generator().manual_seed(0))
    e = net(x)
    assert e.shape == (3, 16)
    assert torch.allclose(e.norm(dim=1), torch.ones(3), atol=1e-5)
    loaded = load_model(save_model(net, tmp_path / "m")).eval()
    assert torch.equal(loaded(x), e)


def test_backward_on_odd_batch():
    net = create_model("face_embed.small", widths=[8, 16], dim=8)
    net(torch.rand(5, 1, 64, 64)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
