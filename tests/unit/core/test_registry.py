import pytest
import torch

from restora.core import Registry, check_image, check_mask


def test_registry_duplicate_and_unknown_with_suggestion():
    reg: Registry[int] = Registry("thing")
    reg.add("telea", 1)
    with pytest.raises(KeyError, match="already registered"):
        reg.add("telea", 2)
    with pytest.raises(KeyError, match="did you mean 'telea'"):
        reg.get("tela")
    assert reg.get("telea") == 1 and "telea" in reg and reg.names() == ["telea"]


def test_checks_reject_bad_tensors():
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        check_image(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="must be in"):
        check_image(torch.full((1, 3, 2, 2), 2.0))
    with pytest.raises(TypeError):
        check_image(torch.zeros(1, 3, 2, 2, dtype=torch.uint8))
    with pytest.raises(ValueError, match="does not match image size"):
        check_mask(torch.zeros(1, 1, 3, 3), torch.zeros(1, 3, 4, 4))
    check_mask(torch.ones(1, 1, 4, 4), torch.zeros(1, 3, 4, 4))
